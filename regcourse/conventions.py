"""Conversions between the course's lambda and other libraries' constants (chapter 05).

Course:  J = mean loss + l1*sum|w| + l2*sum w^2.  Filled in by chapter 05.
"""
__all__: list[str] = []
