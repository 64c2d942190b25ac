"""Train: catalog -> briefing -> shift -> results and Q&A (see `optrain.ui.train_page`)."""

from optrain.ui.train_page import render

render()
