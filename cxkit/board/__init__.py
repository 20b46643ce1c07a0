"""The board report: the themes' headline findings joined into money, a short document and a deck."""
