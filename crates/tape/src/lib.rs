//! Tape.
