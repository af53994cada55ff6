def migrate(cr, version):
    """Drop the technical state line from the details of older audit rows.

    The state change is now shown from the stored states, with their labels
    in the reader's language; the line would otherwise show twice.
    """
    if not version:
        return
    cr.execute(
        r"""
        UPDATE retail_event_audit
           SET changes = NULLIF(
                   regexp_replace(changes, '^state: [^\n]* -> [^\n]*\n?', ''),
                   ''
               )
         WHERE changes LIKE 'state: %'
        """
    )
