import { initAll } from "/static/dist/js/govuk-frontend.min.js";

initAll();
