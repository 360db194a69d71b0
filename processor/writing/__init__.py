"""Writing what people receive: the Word decision, and files written so none is ever half there."""
