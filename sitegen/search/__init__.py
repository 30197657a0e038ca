"""Site -> the search files, pure: the analyser, what is indexed of each paper, segments,
the store the stage asks for its parts, and the stage (index.search_outputs)."""
