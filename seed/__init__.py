"""The demo network: real published Oflog measures plus a labelled synthetic layer."""
