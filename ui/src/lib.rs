//! Pages (askama) come with the web front end.
