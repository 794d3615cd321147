"""A routing instance sent as text (remote clients never name a path on the server): written to a private temporary
file for the router, removed afterwards, and its temporary path kept out of error messages."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from corta.solvers.routing.instance import InstanceError

INSTANCE_NAME = "instance.txt"


@contextmanager
def instance_file(text: str) -> Iterator[Path]:
    """The instance text as a file for the duration of the block.

    Raises
    ------
    InstanceError
        Re-raised from the block with the temporary folder removed from its message.
    """
    with tempfile.TemporaryDirectory(prefix="corta-instance-") as folder:
        path = Path(folder) / INSTANCE_NAME
        path.write_text(text, encoding="utf-8")
        try:
            yield path
        except InstanceError as error:
            raise InstanceError(str(error).replace(str(path), "the uploaded instance")) from None
