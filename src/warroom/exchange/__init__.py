"""Import and export of the catalog (systems, risks, people, inventory, outside contacts) as CSV
and YAML files.

`parse` turns a file into rows with their line numbers, `rows` checks and converts each row
without writing, `services.import_records` writes a fully valid file in one transaction, and
`export` writes the same formats back out. A plain package, not a Django app: it has no models.
"""
