"""Altair charts built from core values (no Streamlit), one module per page or view, with
one palette (``palette``) that every chart reads. Importing the package imports nothing:
training workers read ``palette`` without loading Altair."""
