"""Installing and checking a production Concerted: `concerted deploy` (concerted.ops.deploy,
standard library only, runs before any virtual environment exists) and `concerted doctor`."""
