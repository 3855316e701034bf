//! zdkit (under construction).
