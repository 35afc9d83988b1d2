//! Read models: what readers compute from stored data, the same for the server, `popmap
//! export` and the tests — values harmonised onto another boundary version through a stored
//! crosswalk, and the classification of a map's values into classes. Imports the model and the
//! store.

pub(crate) mod classes;
pub(crate) mod harmonise;
