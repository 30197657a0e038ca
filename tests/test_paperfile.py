"""store/paperfile.py messages: an unknown key gets a did-you-mean, a YAML mistake is pointed
at the line where it is, not where the parser noticed it."""

from __future__ import annotations

import pytest

from sitegen.store.paperfile import parse_paper


def problems(text: str) -> list[str]:
    return [str(p) for p in parse_paper(text, "p", "content/papers/p.md").problems]


def test_an_unknown_key_gets_a_did_you_mean() -> None:
    found = problems("---\ntitle: A\ndate: 2025-08-11\nautors:\n  - X\n---\n")
    assert found == ["content/papers/p.md:4: warning: unknown key 'autors' "
                     "(did you mean 'authors'?)"]
    far = problems("---\ntitle: A\ndate: 2025-08-11\ncolour: red\n---\n")
    assert far == ["content/papers/p.md:4: warning: unknown key 'colour' "
                   "(see docs/content.md for the keys)"]


@pytest.mark.parametrize("text, line, said", [
    # The quote on line 2 is never closed; YAML notices at the end of the front matter.
    ('---\ntitle: "A paper\ndate: 2025-08-11\nauthors:\n  - A\n---\nnotes\n', 2,
     "a quoted value that starts on this line is never closed"),
    ('---\ntitle: A\ntags: [a, b\ndate: 2025-08-11\nabstract: x\n---\n', 3,
     "a [ list that starts on this line is never closed with ]"),
    ('---\ntitle: A\nlinks: {a: b\ndate: 2025-08-11\n---\n', 3,
     "a { mapping that starts on this line is never closed with }"),
    ('---\ntitle: A\nauthors:\n  - A\n  B\ndate: 2025-08-11\n---\n', 5,
     "this line is neither 'key: value' nor a '- item' of a list"),
])
def test_a_yaml_mistake_is_pointed_at_where_it_is(text: str, line: int, said: str) -> None:
    (found,) = problems(text)
    assert found.startswith(f"content/papers/p.md:{line}: error: front matter is not valid "
                            f"YAML: {said} (")


def test_other_yaml_errors_keep_the_line_yaml_gives() -> None:
    (found,) = problems("---\ntitle: A\ndate: 2025-08-11\nauthors:\n\t- A\n---\n")
    assert found.startswith("content/papers/p.md:5: error: front matter is not valid YAML")
