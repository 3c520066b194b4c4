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
 * local_coursebridge_create_forum: a forum for a discussion prompt, created once.
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
 * Create a forum through create_module(), as the forum's settings form does; an item already published is returned as is.
 */
class create_forum extends external_api {
    /** @var string[] Forum types mod/forum offers in its settings form. */
    const TYPES = ['general', 'eachuser', 'qanda', 'single', 'blog'];

    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'courseid' => new external_value(PARAM_INT, 'Course id'),
            'section' => new external_value(PARAM_INT, 'Section number'),
            'itemkey' => new external_value(PARAM_RAW, 'The coursebridge item: the discussion activity\'s id'),
            'contenthash' => new external_value(PARAM_ALPHANUM, 'SHA-256 of its name and description'),
            'name' => new external_value(PARAM_TEXT, 'Forum name'),
            'intro' => new external_value(PARAM_RAW, 'Description (HTML)', VALUE_DEFAULT, ''),
            'type' => new external_value(PARAM_ALPHA, 'Forum type: general, eachuser, qanda, single or blog', VALUE_DEFAULT, 'general'),
            'groupmode' => new external_value(PARAM_INT, 'Group mode: 0 none, 1 separate, 2 visible groups', VALUE_DEFAULT, 0),
        ]);
    }

    /**
     * Create the forum unless the item already has one.
     *
     * @param int $courseid
     * @param int $section
     * @param string $itemkey
     * @param string $contenthash
     * @param string $name
     * @param string $intro
     * @param string $type
     * @param int $groupmode
     * @return array
     */
    public static function execute(int $courseid, int $section, string $itemkey, string $contenthash, string $name,
            string $intro = '', string $type = 'general', int $groupmode = 0): array {
        global $CFG;
        $params = self::validate_parameters(self::execute_parameters(), [
            'courseid' => $courseid,
            'section' => $section,
            'itemkey' => $itemkey,
            'contenthash' => $contenthash,
            'name' => $name,
            'intro' => $intro,
            'type' => $type,
            'groupmode' => $groupmode,
        ]);
        $context = \context_course::instance($params['courseid']);
        self::validate_context($context);
        require_capability('local/coursebridge:publish', $context);
        require_capability('moodle/course:manageactivities', $context);
        if (!in_array($params['type'], self::TYPES, true)) {
            throw new \invalid_parameter_exception('type must be one of ' . implode(', ', self::TYPES));
        }
        if (!in_array($params['groupmode'], [NOGROUPS, SEPARATEGROUPS, VISIBLEGROUPS], true)) {
            throw new \invalid_parameter_exception('groupmode must be 0, 1 or 2');
        }
        $item = items::find($params['courseid'], $params['itemkey']);
        if ($item) {
            items::require_module($item, 'forum');
            return ['cmid' => (int) $item->cmid, 'instance' => (int) $item->instance, 'created' => false];
        }
        require_once($CFG->dirroot . '/course/lib.php');
        require_once($CFG->dirroot . '/course/modlib.php');
        $moduleinfo = create_module((object) [
            'modulename' => 'forum',
            'course' => $params['courseid'],
            'section' => $params['section'],
            'visible' => 1,
            'name' => $params['name'],
            'introeditor' => ['text' => $params['intro'], 'format' => FORMAT_HTML, 'itemid' => 0],
            'cmidnumber' => '',
            'type' => $params['type'],
            'groupmode' => $params['groupmode'],
            'forcesubscribe' => 0,
            'trackingtype' => 1,
            'maxbytes' => 0,
            'maxattachments' => 1,
            'assessed' => 0,
            'scale' => 0,
            'grade_forum' => 0,
        ]);
        items::save($params['courseid'], $params['itemkey'], (int) $moduleinfo->coursemodule, $params['contenthash']);
        return ['cmid' => (int) $moduleinfo->coursemodule, 'instance' => (int) $moduleinfo->instance, 'created' => true];
    }

    /**
     * Returns.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'cmid' => new external_value(PARAM_INT, 'Course module id'),
            'instance' => new external_value(PARAM_INT, 'Forum id, as mod_forum_add_discussion takes it'),
            'created' => new external_value(PARAM_BOOL, 'False when the item already had its forum'),
        ]);
    }
}
