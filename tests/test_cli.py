"""The command line through click's runner: new, validate, build, errors and exit codes."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from builder import __version__
from builder.cli import main


def run(*arguments: str):
    return CliRunner().invoke(main, [str(a) for a in arguments])


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_new_then_validate_then_build(tmp_path: Path):
    folder = tmp_path / "mon-cours"
    created = run("new", folder, "--title", 'Un "cours" d\'essai')
    assert created.exit_code == 0, created.output
    assert "course.yaml" in created.output
    validated = run("validate", folder)
    assert validated.exit_code == 0, validated.output
    assert "valid (1 day, 6 activities)" in validated.output
    built = run("build", folder, "-o", tmp_path / "dist", "--format", "web")
    assert built.exit_code == 0, built.output
    home = (tmp_path / "dist" / "web" / "index.html").read_text(encoding="utf-8")
    assert "Un &#34;cours&#34; d&#39;essai" in home


def test_new_refuses_a_folder_with_files(tmp_path: Path):
    (tmp_path / "keep.txt").write_text("important", encoding="utf-8")
    result = run("new", tmp_path)
    assert result.exit_code == 1
    assert "already exists and is not empty" in result.output
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "important"


def test_validate_reports_every_problem_and_exits_2(course_dir: Path):
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace("type: quiz", "type: quizz")
                   .replace("grouping: small-groups", "grouping: solo"), encoding="utf-8")
    result = run("validate", course_dir)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("days/jour-1.yaml:21:15: ")
    assert lines[-1] == "2 problems found."
    assert "Traceback" not in result.output


def test_validate_writes_nothing(course_dir: Path):
    before = sorted((p, p.stat().st_mtime_ns) for p in course_dir.rglob("*"))
    assert run("validate", course_dir).exit_code == 0
    assert sorted((p, p.stat().st_mtime_ns) for p in course_dir.rglob("*")) == before


def test_validate_missing_folder():
    result = run("validate", "/nonexistent/course")
    assert result.exit_code == 2
    assert result.output.startswith("error: /nonexistent/course: no such folder")


def test_coverage_matrix(course_dir: Path):
    result = run("validate", course_dir, "--coverage")
    assert result.exit_code == 0, result.output
    assert "coverage: 100% of objectives addressed and assessed" in result.output
    assert "jour-1 / decouvrir / quiz-definition" in result.output


def test_validate_warns_about_coverage_gaps_without_failing(course_dir: Path):
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace("assesses: [O2]", "assesses: []")
                   .replace("assesses: [O1, O2]", "assesses: [O1]"), encoding="utf-8")
    result = run("validate", course_dir)
    assert result.exit_code == 0
    assert "warning: O2 is not assessed (see --coverage)" in result.output


def test_coverage_gap_fails(course_dir: Path):
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace("assesses: [O2]", "assesses: []")
                   .replace("assesses: [O1, O2]", "assesses: [O1]"), encoding="utf-8")
    result = run("validate", course_dir, "--coverage")
    assert result.exit_code == 1
    assert "gap: O2 is not assessed" in result.output


def test_unknown_format_is_refused(course_dir: Path, tmp_path: Path):
    result = run("build", course_dir, "-o", tmp_path / "d", "--format", "pdf")
    assert result.exit_code == 2
    assert "Invalid value for '-f' / '--format': 'pdf'" in result.output


def test_failed_build_keeps_previous_output(course_dir: Path, tmp_path: Path):
    dist = tmp_path / "dist"
    assert run("build", course_dir, "-o", dist, "--format", "web").exit_code == 0
    (course_dir / "course.yaml").write_text("title: [broken\n", encoding="utf-8")
    result = run("build", course_dir, "-o", dist, "--format", "web")
    assert result.exit_code == 2
    assert (dist / "web" / "index.html").is_file()


def test_unwritable_output_folder_is_a_clear_error(course_dir: Path, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run("build", course_dir, "-o", blocker, "--format", "web")
    assert result.exit_code == 1
    assert result.output.startswith(f"error: cannot build the web output: {blocker}: ")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_validate_given_the_course_file_says_to_give_the_folder(course_dir: Path):
    result = run("validate", course_dir / "course.yaml")
    assert result.exit_code == 2
    assert "is a file; give the folder that holds it" in result.output


def test_new_cannot_write_here(tmp_path: Path):
    blocker = tmp_path / "fichier"
    blocker.write_text("x", encoding="utf-8")
    result = run("new", blocker / "cours")
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {blocker / 'cours'}: cannot create the course here")


def test_new_derives_an_ascii_id_from_the_folder_name(tmp_path: Path):
    assert run("new", tmp_path / "Mon Cours été").exit_code == 0
    assert "id: mon-cours-ete\n" in (tmp_path / "Mon Cours été" / "course.yaml").read_text(encoding="utf-8")


def test_build_refuses_to_write_into_the_course_folder(course_dir: Path):
    result = run("build", course_dir, "-o", course_dir, "--format", "web")
    assert result.exit_code == 1
    assert "is the course folder; write the outputs elsewhere" in result.output
    assert not (course_dir / "web").exists()


def test_a_format_given_twice_is_built_once(course_dir: Path, tmp_path: Path):
    result = run("build", course_dir, "-o", tmp_path / "d", "-f", "web", "-f", "web")
    assert result.exit_code == 0
    assert result.output.count("web ") == 1


def test_every_message_is_one_line_whatever_the_input(tmp_path: Path):
    folder = tmp_path / "mon\ncours\u202e"
    result = run("validate", folder)
    assert result.exit_code == 2
    assert result.output == "error: " + str(folder).replace("\n", "\\n").replace("\u202e", "\\u202e") \
        + ": no such folder; expected a course folder with course.yaml\n"


def test_a_text_cut_by_a_comment_warns_and_fails_a_strict_build(course_dir: Path, tmp_path: Path):
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace(
        "deliverable: Une liste de trois à cinq objectifs.", "deliverable: Une liste #3 objectifs."),
        encoding="utf-8")
    validated = run("validate", course_dir)
    assert validated.exit_code == 0
    assert "warning: days/jour-1.yaml:54:32: " in validated.output
    built = run("build", course_dir, "-o", tmp_path / "dist", "-f", "gift", "--strict")
    assert built.exit_code == 1
    assert "' #' starts a YAML comment" in built.output
