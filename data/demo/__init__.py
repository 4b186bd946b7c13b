"""Synthetic demo dataset: fictional LAs, their product use and uploadable submission files."""

from data.demo.generate import DemoManifest, build_demo, generate_demo

__all__ = ["DemoManifest", "build_demo", "generate_demo"]
