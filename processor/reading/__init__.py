"""Reading the council's .xlsx: a streaming, guarded reader that touches the file, nothing else."""

from processor.reading.workbook import read_workbook

__all__ = ["read_workbook"]
