"""LTI 1.3 for course platforms (Moodle, Canvas, Open edX): OIDC login, the validated launch, deep linking, per-course
tutor settings, grade passback (AGS) and the tool's own JWKS; `router.build_lti_router` puts them behind `/lti`."""
