"""Every page of the app, once: the anonymous-redirect test and the browser journeys both
walk this list, so a new page is covered by both."""

PAGES = [
    "/",
    "/compare",
    "/themes",
    "/requirements",
    "/specifications",
    "/my-authority",
    "/upload",
    "/admin",
    "/supplier",
    "/inbox",
]
