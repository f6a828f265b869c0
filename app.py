"""Placeholder entry point; replaced by the real frame shortly."""
import streamlit as st

st.title("Activation Lab")
