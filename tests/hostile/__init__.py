"""The hostile-input kit: an adversarial corpus and generic output checkers.

`corpus.py` holds the payloads and ways to turn them into Daily Papers pages and paper
files; `checks.py` parses outputs (HTML5, XML, JSON, the file tree) and lists what is
wrong. Point `checks.py` at any new output (feeds, search index) to cover it too.
"""
