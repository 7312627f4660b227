"""Readers turn a source file into batches the pipeline can infer and convert."""
