"""Reading the council's .xlsx: a streaming, guarded reader that touches the file, nothing else."""
