"""Checks a Common Cartridge 1.1 file offline: the manifest and every discussion, web link
and assessment against the official schemas, then the profile's rules that the schemas
state only as (CC 1.0) Schematron comments: one descriptor file per learning application,
allowed dependencies, items and files that exist.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from builder.exporters.imscc import (
    ASSESSMENT,
    CP,
    DISCUSSION,
    LEARNING_APPLICATIONS,
    WEBCONTENT,
    WEBLINK,
)
from builder.package_check.archive import ENCRYPTED
from builder.schemas import parse_xml, validate

MANIFEST = "imsmanifest.xml"
SCHEMA_SET = {
    DISCUSSION: "imscc11-discussion",
    WEBLINK: "imscc11-weblink",
    ASSESSMENT: "imscc11-qti",
}
NS = {"cp": CP}


def check_cartridge(path: Path) -> list[str]:
    """Every problem found, as `file: message`; empty when the cartridge is sound."""
    try:
        with zipfile.ZipFile(path) as archive:
            files, problems = read_files(archive)
    except (OSError, zipfile.BadZipFile) as error:
        return [f"{path.name}: not a readable zip file ({error})"]
    if MANIFEST not in files:
        return [*problems, f"{path.name}: no {MANIFEST} at the root of the cartridge"]
    if files[MANIFEST] is None:
        return problems
    manifest, manifest_problems = parsed(MANIFEST, files[MANIFEST], "imscc11")
    problems += manifest_problems
    if manifest is None:
        return problems
    resources = {
        node.get("identifier"): node for node in manifest.iterfind("cp:resources/cp:resource", NS)
    }
    for resource in resources.values():
        problems += resource_problems(resource, resources, files)
    problems += item_problems(manifest, resources)
    return problems


def read_files(archive: zipfile.ZipFile) -> tuple[dict[str, bytes | None], list[str]]:
    """Each file's bytes, or None for an encrypted one, which is a problem: LMSs cannot read it."""
    files: dict[str, bytes | None] = {}
    problems = []
    for info in archive.infolist():
        if info.is_dir():
            continue
        if info.flag_bits & ENCRYPTED:
            files[info.filename] = None
            problems.append(f"{info.filename}: encrypted, which LMSs cannot read")
        else:
            files[info.filename] = archive.read(info)
    return files, problems


def parsed(name: str, data: bytes, schema_set: str) -> tuple[etree._Element | None, list[str]]:
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError as error:
        return None, [f"{name}: not well-formed XML ({error})"]
    return root, [f"{name}: {message}" for message in validate(root, schema_set)]


def resource_problems(
    resource: etree._Element, resources: dict, files: dict[str, bytes | None]
) -> list[str]:
    identifier, kind = resource.get("identifier"), resource.get("type")
    where = f"{MANIFEST}: resource {identifier}"
    hrefs = [node.get("href") for node in resource.iterfind("cp:file", NS)]
    problems = [f"{where}: lists {href} twice" for href in set(hrefs) if hrefs.count(href) > 1]
    problems += [
        f"{where}: names {href}, which is not in the cartridge"
        for href in hrefs
        if href not in files
    ]
    if resource.get("href") and resource.get("href") not in hrefs:
        problems.append(f"{where}: its href {resource.get('href')} is not one of its files")
    problems += dependency_problems(where, resource, resources)
    if kind in LEARNING_APPLICATIONS:
        if len(hrefs) != 1 or resource.get("href"):
            problems.append(f"{where}: a {kind} resource has exactly one file and no href")
        elif files.get(hrefs[0]) is not None:
            problems += parsed(hrefs[0], files[hrefs[0]], SCHEMA_SET[kind])[1]
    return problems


def dependency_problems(where: str, resource: etree._Element, resources: dict) -> list[str]:
    kind = resource.get("type")
    targets = [node.get("identifierref") for node in resource.iterfind("cp:dependency", NS)]
    problems = [
        f"{where}: depends on {target} twice"
        for target in set(targets)
        if targets.count(target) > 1
    ]
    for target in targets:
        if target not in resources:
            problems.append(f"{where}: depends on {target}, which is not a resource")
        elif target == resource.get("identifier"):
            problems.append(f"{where}: depends on itself")
        elif kind == WEBLINK or resources[target].get("type") != WEBCONTENT:
            problems.append(f"{where}: a {kind} resource may not depend on {target}")
    return problems


def item_problems(manifest: etree._Element, resources: dict) -> list[str]:
    problems = []
    for item in manifest.iterfind(".//cp:item[@identifierref]", NS):
        where = f"{MANIFEST}: item {item.get('identifier')}"
        if item.get("identifierref") not in resources:
            problems.append(
                f"{where}: refers to {item.get('identifierref')}, which is not a resource"
            )
        if item.find("cp:item", NS) is not None:
            problems.append(f"{where}: an item showing a resource may not hold other items")
    return problems
