"""The BPP-Search modeler: a word problem → a model in the IR, by a tree search over three levels, solved by HiGHS."""
