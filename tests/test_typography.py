"""How rendered Markdown reads: task-list boxes, table cells labelled for phones."""

from __future__ import annotations

from builder import markdown
from builder.model import Markdown

CONTEXT = markdown.RenderContext(lambda path: path, lambda key: None, lambda diagram: "")


def render(source: str) -> str:
    return markdown.render(Markdown(source, ""), CONTEXT)


def test_task_list_items_show_boxes():
    html = render("- [ ] à faire [x] ici\n- [x] fait\n- [X] fait aussi\n- [] pas une tâche\n")
    assert '<li class="task">☐\u00a0à faire [x] ici</li>' in html.replace("&nbsp;", "\u00a0")
    assert html.count("☑") == 2
    assert "<li>[] pas une tâche</li>" in html


def test_only_a_leading_box_of_a_list_item_is_a_task():
    assert "☐" not in render("[ ] pas dans une liste\n\n- texte [ ] au milieu\n")
    assert "☐" not in render("- `[ ] du code`\n")


def test_author_classes_stay_out():
    assert 'class="evil"' not in render('<ul><li class="evil">x</li></ul>\n')
    assert 'class=' not in render('<p class="task">x</p>\n')


def test_table_cells_carry_their_column_header():
    html = render("| **Outil** `x` | <b>Durée</b> \"min\" | |\n|---|---|---|\n| a | b | c |\n")
    assert '<td data-label="Outil x">a</td>' in html
    assert '<td data-label="Durée &quot;min&quot;">b</td>' in html
    assert "<td>c</td>" in html  # an empty header gives no label
