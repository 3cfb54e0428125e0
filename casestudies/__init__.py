"""Methods behind the Democratic Inputs to AI case studies (importable, tested)."""
