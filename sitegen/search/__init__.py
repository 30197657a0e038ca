"""Site -> the search files, pure: the analyser, segments and the index's outputs."""
