"""`coursebridge report`: what the learners of a Moodle course did, and their training certificates.

Three steps, each testable alone:

- `collect`: Moodle web-service reads only (never a write), batched like `sync`'s reads;
- `figures`: pure computation from what was collected and the course model (per learner, group,
  question, objective and discussion prompt);
- `render`: the outputs (terminal summary, CSV, JSON, HTML dashboard, PDF certificates) from the
  figures, through the Jinja2 templates in `templates/`.
"""
