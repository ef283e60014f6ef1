"""The HTTP service over the Standardizer (FastAPI), and the vLLM launch line for scale-out."""
