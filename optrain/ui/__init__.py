"""The only package code that imports streamlit: session keys, auth adapter, shared widgets."""
