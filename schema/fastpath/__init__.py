"""The compiled read path: queries validated once, then run level by level through the loaders.

graphql-core spends several microseconds on every field of every object (a village nested down
to its people is ~1,400 fields); the answer here is to plan a document once and fill whole
levels at a time, with the same loaders, types and personal-data rules as the strawberry path.
Anything the planner does not handle (mutations, introspection, interfaces, @skip/@include,
errors of any kind) is left to strawberry, so answers are always strawberry's answers.
"""

from sandan.schema.fastpath.plan import Planner
from sandan.schema.fastpath.run import Bail, execute

__all__ = ["Bail", "Planner", "execute"]
