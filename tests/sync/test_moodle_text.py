"""lms_sync.moodle_text against PHP itself: strip_tags() and the steps of Moodle's format_string()."""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest

from lms_sync.moodle_text import format_string, same_name, strip_tags

# What lib/classes/formatting.php does on a default site: ampersands, strip_tags, then < and >.
PHP = (
    "$o = [];"
    "foreach (json_decode(stream_get_contents(STDIN)) as $s) {"
    "  $t = preg_replace('/\\&(?![a-zA-Z0-9#]{1,8};)/', '&amp;', $s);"
    "  $o[] = [strip_tags($s), str_replace(['<', '>'], ['&lt;', '&gt;'], strip_tags($t))];"
    "}"
    "echo json_encode($o);"
)
NAMED = [
    "R&D &amp; Co", "<b>Bold</b> text", "a < b", "a<b", "1 <3 2", "tail <", "<a href='x>y'>l</a>z",
    '<a title="q\'s">t</a>', "<!-- c -->after", "<!-- no end", "<?php echo 1 ?>p", "<<b>>c", "&#39; &nbsp; &bogus",
    "Café « x » \"q\" 'y' 🎉", "&abcdefghi;", "a<\tb",
]


@pytest.mark.skipif(shutil.which("php") is None, reason="needs php-cli (tests/run.sh installs it)")
def test_strip_tags_and_format_string_give_what_php_gives():
    rng = random.Random(7)
    alphabet = "<>!-?'\"\\ a&;#b\n/=é"
    cases = NAMED + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(3000)]
    answer = subprocess.run(["php", "-r", PHP], input=json.dumps(cases), capture_output=True, text=True, check=True)
    wrong = [
        (case, strip_tags(case), php_strip, format_string(case), php_format)
        for case, (php_strip, php_format) in zip(cases, json.loads(answer.stdout))
        if (strip_tags(case), format_string(case)) != (php_strip, php_format)
    ]
    assert wrong == []


def test_names_are_compared_in_moodles_output_domain():
    assert same_name("R&D &amp; Co", "R&amp;D &amp; Co")
    assert same_name("R&D & Co", "R&amp;D &amp; Co")  # format_string() is not reversible: both show alike
    assert not same_name("R&D", "R&amp;D &amp; Co")
    assert same_name("Jour <b>1</b>", "Jour 1")
    assert same_name("1 < 2", "1 &lt; 2")
