//! zdkit-sync (under construction).
