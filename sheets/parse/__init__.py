"""One parser per data tab (officers.py, funds.py, ...), all reading through tab.py's TabReader.

sheets/model.py runs them in order (officers before funds, funds before loans, loans before
their installments and payments), so each can check the ids it refers to.
"""
