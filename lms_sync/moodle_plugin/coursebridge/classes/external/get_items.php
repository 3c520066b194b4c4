<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * local_coursebridge_get_items: what coursebridge published in a course.
 *
 * @package    local_coursebridge
 * @copyright  2026 coursebridge developers
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_coursebridge\external;

use core_external\external_api;
use core_external\external_function_parameters;
use core_external\external_multiple_structure;
use core_external\external_single_structure;
use core_external\external_value;
use local_coursebridge\local\items;

/**
 * The course modules made from coursebridge items, so a rerun changes only what changed.
 */
class get_items extends external_api {
    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'courseid' => new external_value(PARAM_INT, 'Course id'),
        ]);
    }

    /**
     * The course's items; quizzes say how many attempts they have, since those must not be disturbed.
     *
     * @param int $courseid
     * @return array
     */
    public static function execute(int $courseid): array {
        global $DB;
        $params = self::validate_parameters(self::execute_parameters(), ['courseid' => $courseid]);
        $context = \context_course::instance($params['courseid']);
        self::validate_context($context);
        require_capability('local/coursebridge:publish', $context);

        $result = [];
        foreach (items::of_course($params['courseid']) as $item) {
            $attempts = 0;
            if ($item->modname === 'quiz') {
                $attempts = $DB->count_records('quiz_attempts', ['quiz' => $item->instance, 'preview' => 0]);
            } else if ($item->modname === 'scorm') {
                $attempts = $DB->count_records('scorm_attempt', ['scormid' => $item->instance]);
            }
            $result[] = [
                'itemkey' => $item->itemkey,
                'cmid' => (int) $item->cmid,
                'modname' => $item->modname,
                'instance' => (int) $item->instance,
                'contenthash' => $item->contenthash,
                'attempts' => $attempts,
            ];
        }
        return ['items' => $result];
    }

    /**
     * Returns.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'items' => new external_multiple_structure(new external_single_structure([
                'itemkey' => new external_value(PARAM_RAW, 'The coursebridge item: an activity id, or scorm'),
                'cmid' => new external_value(PARAM_INT, 'Course module id'),
                'modname' => new external_value(PARAM_PLUGIN, 'Module name: page, forum, quiz, scorm...'),
                'instance' => new external_value(PARAM_INT, 'Instance id in the module\'s table'),
                'contenthash' => new external_value(PARAM_ALPHANUM, 'SHA-256 of what was published'),
                'attempts' => new external_value(PARAM_INT, 'Learners\' attempts (quiz and SCORM), else 0'),
            ])),
        ]);
    }
}
