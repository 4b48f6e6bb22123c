//! Adapters at the engine's edge (DESIGN.md §2, §10): here, so far, the PDF forms of Circular 01/2018/TT-VPCP.

pub mod forms;
