"""Pages of a selection round, one module per stage: setup (rounds and their configuration), nominations,
evaluators, evaluation (assignment, the evaluator's work, review status), selection (results, committee),
publication and the public pages. Thin: parse one form, call one service or selector, render. No GET writes."""
