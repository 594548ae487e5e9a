//! One integration test binary (faster to build and link than one per file).

mod common;
mod storage;
mod accounts;
mod cli;
mod money;
mod oauth;
mod gateway;
mod console_gateway;
mod management;
mod management_guardrails;
mod video;
mod pages;
