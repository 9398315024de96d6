"""Reports on the job engine: submit an upload, profile it (whole, or in chunks merged at the
end), store its documents, read them back."""
