"""Turn an appraisal council's scoring workbook into the Chairman's IT-ranking decision."""

__version__ = "0.1.0"
