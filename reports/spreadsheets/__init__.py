"""Excel and CSV round trip of report forms: templates out, checked uploads back in.

``mattran.spreadsheets`` reads an uploaded file into a plain table (refusing anything dangerous or malformed);
``template`` builds the .xlsx template of a form, ``importing`` turns a table into a checked
preview of changes and applies it through the reporting services.
"""
