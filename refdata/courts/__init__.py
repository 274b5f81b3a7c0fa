"""Courts: versions, hierarchy (tribunal judiciaire → cour d'appel) and ressort."""
