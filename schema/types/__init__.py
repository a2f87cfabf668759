"""Strawberry output types. Plain fields are attributes; nested fields go through loaders.

A field read through a loader says so in its metadata (`via`): the loader attribute on
`context.loaders`, the attribute of the parent holding the key, and whether it loads one key
or many. The compiled read path (sandan.schema.fastpath) relies on that description.
"""
