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
 * local_coursebridge_update_page: new content for a page published from a coursebridge item.
 *
 * @package    local_coursebridge
 * @copyright  2026 coursebridge developers
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_coursebridge\external;

use core_external\external_api;
use core_external\external_function_parameters;
use core_external\external_single_structure;
use core_external\external_value;
use local_coursebridge\local\items;

/**
 * Replace a page's name and content in place: its course module, and so its completion and logs, stay as they are.
 */
class update_page extends external_api {
    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'courseid' => new external_value(PARAM_INT, 'Course id'),
            'itemkey' => new external_value(PARAM_RAW, 'The coursebridge item: the activity id'),
            'contenthash' => new external_value(PARAM_ALPHANUM, 'SHA-256 of the new content'),
            'name' => new external_value(PARAM_TEXT, 'The page name'),
            'content' => new external_value(PARAM_RAW, 'The page content (HTML)'),
        ]);
    }

    /**
     * Update the page, as page_update_instance() does for its content.
     *
     * @param int $courseid
     * @param string $itemkey
     * @param string $contenthash
     * @param string $name
     * @param string $content
     * @return array
     */
    public static function execute(int $courseid, string $itemkey, string $contenthash, string $name, string $content): array {
        global $DB;
        $params = self::validate_parameters(self::execute_parameters(), [
            'courseid' => $courseid,
            'itemkey' => $itemkey,
            'contenthash' => $contenthash,
            'name' => $name,
            'content' => $content,
        ]);
        $context = \context_course::instance($params['courseid']);
        self::validate_context($context);
        require_capability('local/coursebridge:publish', $context);
        $item = items::find($params['courseid'], $params['itemkey']);
        if (!$item) {
            throw new \moodle_exception('unknownitem', 'local_coursebridge', '', $params['itemkey']);
        }
        items::require_module($item, 'page');
        $cm = get_coursemodule_from_id('page', $item->cmid, $params['courseid'], false, MUST_EXIST);
        $modulecontext = \context_module::instance($cm->id);
        require_capability('moodle/course:manageactivities', $modulecontext);

        $page = $DB->get_record('page', ['id' => $cm->instance], '*', MUST_EXIST);
        $DB->update_record('page', (object) [
            'id' => $page->id,
            'name' => $params['name'],
            'content' => $params['content'],
            'contentformat' => FORMAT_HTML,
            'revision' => $page->revision + 1,
            'timemodified' => time(),
        ]);
        rebuild_course_cache($params['courseid'], true); // The name is in the course's module cache.
        \core\event\course_module_updated::create_from_cm($cm, $modulecontext)->trigger();
        items::save($params['courseid'], $params['itemkey'], (int) $cm->id, $params['contenthash']);
        return ['cmid' => (int) $cm->id];
    }

    /**
     * Returns.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'cmid' => new external_value(PARAM_INT, 'The page\'s course module id'),
        ]);
    }
}
