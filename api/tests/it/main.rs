//! The API's integration tests, as one test binary: each binary links the whole server, so one link instead of
//! nine saves minutes of build and gigabytes of disk.

#[macro_use]
mod support;

mod authorization;
mod background;
mod backup;
mod bad_input;
mod blobs_cli;
mod bundles;
mod chaos;
mod cli;
mod concurrency;
mod contract;
mod documents;
mod downloads;
mod flows;
mod forms_conformance;
mod hardening;
mod identity;
mod lifecycle;
mod monthly_report;
mod notifications;
mod online_lifecycle;
mod pages;
mod pages_admin;
mod pages_citizen;
mod pages_staff;
mod payments;
mod petitions;
mod population;
mod portal;
mod readings;
mod repository;
mod scale;
mod scale_out;
mod scorecard;
