//! Read models: what readers compute from stored data, the same for the server, `popmap
//! export` and the tests — values harmonised onto another boundary version through a stored
//! crosswalk. Imports the model and the store.

pub(crate) mod harmonise;
