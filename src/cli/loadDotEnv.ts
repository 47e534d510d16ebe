// First import of the CLI: `.env` is read before any module reads the environment.
import { loadDotEnv } from "../config/dotEnv";

loadDotEnv();
