"""The Moodle plugin local_coursebridge: valid PHP, declarations that agree, a reproducible installable zip."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from builder.cli import main
from lms_sync.client import FUNCTIONS as CLIENT_FUNCTIONS
from lms_sync.doctor import COMMAND_FUNCTIONS
from lms_sync.plugin import PLUGIN_FOLDER, ZIP_NAME, plugin_files, plugin_functions, plugin_version
from moodle_double.functions import FUNCTIONS as DOUBLE_FUNCTIONS
from moodle_double.php import class_file, execute_parameters, lang_strings, service_functions

PHP_FILES = sorted(PLUGIN_FOLDER.rglob("*.php"))
CLASS_FILES = sorted((PLUGIN_FOLDER / "classes").rglob("*.php"))
GPL = "// Moodle is free software: you can redistribute it and/or modify"


@pytest.mark.skipif(shutil.which("php") is None, reason="needs Debian's php-cli (tests/run.sh installs it)")
@pytest.mark.parametrize("path", PHP_FILES, ids=lambda p: str(p.relative_to(PLUGIN_FOLDER)))
def test_php_lint(path: Path):
    result = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", PHP_FILES, ids=lambda p: str(p.relative_to(PLUGIN_FOLDER)))
def test_every_php_file_has_the_gpl_header_and_its_guard(path: Path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<?php\n// This file is part of Moodle") and GPL in text
    assert "@package    local_coursebridge" in text
    # Moodle's rule: files that only declare a namespaced class have no guard; the others have one.
    assert ("defined('MOODLE_INTERNAL') || die();" in text) == (path not in CLASS_FILES)


def test_version_php_declares_the_supported_moodles():
    text = (PLUGIN_FOLDER / "version.php").read_text(encoding="utf-8")
    assert "$plugin->component = 'local_coursebridge';" in text
    assert "$plugin->requires = 2024100700;" in text  # Moodle 4.5 LTS
    assert "$plugin->supported = [405, 501];" in text
    assert re.search(r"\$plugin->maturity = MATURITY_\w+;", text)
    assert re.search(r"\$plugin->release = '[\d.]+';", text)
    assert plugin_version() == int(re.search(r"\$plugin->version = (\d{10});", text)[1])


def test_services_classes_and_strings_agree():
    declared = service_functions()
    assert tuple(declared) == plugin_functions()
    for name, declaration in declared.items():
        short = name.removeprefix("local_coursebridge_")
        assert declaration["classname"] == f"local_coursebridge\\external\\{short}"
        assert declaration["type"] in {"read", "write"} and declaration["description"]
        text = class_file(name).read_text(encoding="utf-8")
        assert f"namespace local_coursebridge\\external;" in text and f"class {short} extends external_api" in text
        for method in ("execute_parameters(): external_function_parameters", "execute(", "execute_returns()"):
            assert f"public static function {method}" in text, (name, method)
        for call in ("self::validate_parameters(self::execute_parameters()", "self::validate_context(", "require_capability("):
            assert call in text, (name, call)
        signature = re.search(r"public static function execute\(([^)]*)\)", text)[1]
        assert re.findall(r"\$(\w+)", signature) == list(execute_parameters(name).keys), name
    assert len(list((PLUGIN_FOLDER / "classes" / "external").glob("*.php"))) == len(declared)


def test_every_string_the_code_uses_exists_in_english_and_french():
    english, french = lang_strings("en"), lang_strings("fr")
    assert english.keys() == french.keys()
    used = set()
    for path in PHP_FILES:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"moodle_exception\('(\w+)', 'local_coursebridge'", text))
        used |= set(re.findall(r"return '(privacy:metadata)';", text))
    used |= {f"{capability.split('/')[1]}" for capability in re.findall(r"'(local/coursebridge:\w+)' =>", (PLUGIN_FOLDER / "db" / "access.php").read_text())}
    assert used - english.keys() == set()
    assert {"pluginname", "privacy:metadata", "coursebridge:publish"} <= english.keys()


def test_the_service_holds_every_function_the_tool_calls():
    text = (PLUGIN_FOLDER / "db" / "services.php").read_text(encoding="utf-8")
    core = re.findall(r"^    '((?:core|mod|enrol)_\w+)',$", text, re.MULTILINE)
    assert "'shortname' => 'local_coursebridge'" in text and "'uploadfiles' => 1" in text
    service = set(core) | set(plugin_functions())
    called = set(CLIENT_FUNCTIONS) | {f for functions in COMMAND_FUNCTIONS.values() for f in functions}
    assert called - service == set()
    assert len(core) == len(set(core))


def test_install_xml_is_valid_xmldb():
    root = etree.parse(str(PLUGIN_FOLDER / "db" / "install.xml")).getroot()
    assert root.get("PATH") == "local/coursebridge/db"
    table = root.find("TABLES/TABLE")
    assert table.get("NAME") == "local_coursebridge_items"
    fields = [field.get("NAME") for field in table.iterfind("FIELDS/FIELD")]
    assert fields == ["id", "courseid", "itemkey", "cmid", "contenthash", "timecreated", "timemodified"]
    index = table.find("INDEXES/INDEX")
    assert index.get("UNIQUE") == "true" and index.get("FIELDS") == "courseid, itemkey"
    assert "local_coursebridge_items" in (PLUGIN_FOLDER / "classes" / "local" / "items.php").read_text()


def test_privacy_provider_is_a_null_provider():
    text = (PLUGIN_FOLDER / "classes" / "privacy" / "provider.php").read_text(encoding="utf-8")
    assert "class provider implements \\core_privacy\\local\\metadata\\null_provider" in text


def test_the_double_takes_the_parameters_the_php_declares():
    for name in plugin_functions():
        assert DOUBLE_FUNCTIONS[name].params == execute_parameters(name)
        assert DOUBLE_FUNCTIONS[name].writes == (service_functions()[name]["type"] == "write")


def test_moodle_plugin_writes_a_reproducible_installable_zip(tmp_path: Path):
    first = CliRunner().invoke(main, ["moodle", "plugin", "-o", str(tmp_path / "a")])
    second = CliRunner().invoke(main, ["moodle", "plugin", "-o", str(tmp_path / "b")])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    assert f"local_coursebridge version {plugin_version()}" in first.output
    archive = tmp_path / "a" / ZIP_NAME
    assert archive.read_bytes() == (tmp_path / "b" / ZIP_NAME).read_bytes()
    names = zipfile.ZipFile(archive).namelist()
    assert {name.split("/")[0] for name in names} == {"coursebridge"}  # one top folder, as Moodle's installer wants
    assert set(names) == set(plugin_files()) and "coursebridge/version.php" in names


def test_moodle_plugin_refuses_a_file_as_output_folder(tmp_path: Path):
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(main, ["moodle", "plugin", "-o", str(tmp_path / "file")])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"error: -o {tmp_path / 'file'}: is a file; give a folder to write local_coursebridge.zip into"]
