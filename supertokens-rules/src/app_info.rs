//! Rules for the app info: URL-domain and URL-path normalisation.
