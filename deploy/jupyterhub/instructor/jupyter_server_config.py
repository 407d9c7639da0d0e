"""Jupyter Server for an instructor on the course's JupyterHub: a Content-Security-Policy for every page.

Formgrader shows students' submitted notebooks, so the instructor's pages are where a student's markup would
run. Submissions are sanitised before they are shown (nbconvert's SanitizeHTML, set in the course's
nbgrader_config.py); this policy is the second line: nothing is loaded from, framed by or sent to another site,
no plug-ins, no <base> tricks. Formgrader's own pages use inline scripts and onclick handlers, so inline script
cannot be forbidden here (that is what the sanitiser is for).
"""

c = get_config()  # noqa: F821

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",  # Formgrader's templates and JupyterLab's bundles need these
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
])
c.ServerApp.tornado_settings = {"headers": {"Content-Security-Policy": CSP}}
