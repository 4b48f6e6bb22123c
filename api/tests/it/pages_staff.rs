//! The staff pages through HTTP (the browser tests in tests/e2e drive the same pages in Chromium).
